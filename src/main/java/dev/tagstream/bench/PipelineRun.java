package dev.tagstream.bench;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsLoader;
import dev.tagstream.ops.Pipeline;
import dev.tagstream.ops.StreamsProperties;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.ImageEventSerde;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One configuration of the pipeline through the embedded broker: fresh topics and application id, the real
 * {@link Pipeline} and {@link TagstreamApp}, a {@link LoadProducer}, an {@link OutcomeReader}; measured over a window
 * after a warm-up, then everything closed and the topics deleted.
 */
final class PipelineRun {
    static final int PARTITIONS = 4;
    private static final String CHANGELOG_SUFFIX = "-pending-batches-changelog";

    /** What every run shares. */
    record Env(String bootstrap, String registryUrl, Path configFile, List<String> userSets, Path modelsDir,
            String model, int streamThreads, byte[][] images, double warmupSeconds, double seconds, Path work) {}

    private PipelineRun() {}

    static PipelinePoint run(Env env, int seq, String label, int maxSize, long maxDelayMs, double rate)
            throws Exception {
        String app = "bench-" + seq;
        String in = app + "-images";
        String out = app + "-predictions";
        String dlq = app + "-dlq";
        Path state = Files.createDirectories(env.work().resolve(app));
        List<String> sets = new ArrayList<>(List.of(
                "bootstrap.servers=" + env.bootstrap(),
                "schema.registry.url=" + env.registryUrl(),
                "application.id=" + app,
                "state.dir=" + state,
                "num.stream.threads=" + env.streamThreads(),
                "tagstream.input.topic=" + in,
                "tagstream.output.topic=" + out,
                "tagstream.dlq.topic=" + dlq,
                "tagstream.models.dir=" + env.modelsDir(),
                "tagstream.model.default=" + env.model(),
                "tagstream.models.providers=cpu",
                "tagstream.metrics.port=0"));
        sets.addAll(env.userSets());
        sets.add("tagstream.batch.max-size=" + maxSize);
        sets.add("tagstream.batch.max-delay-ms=" + maxDelayMs);
        Settings settings = SettingsLoader.load(env.configFile(), Map.of(), sets);
        int maxRecord = StreamsProperties.maxRecordBytes(settings);
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", env.bootstrap()))) {
            Map<String, String> cfg = Map.of("max.message.bytes", String.valueOf(maxRecord));
            admin.createTopics(List.of(new NewTopic(in, PARTITIONS, (short) 1).configs(cfg),
                    new NewTopic(out, PARTITIONS, (short) 1).configs(cfg),
                    new NewTopic(dlq, 1, (short) 1).configs(cfg))).all().get();
            try {
                return measure(env, settings, label, maxSize, maxDelayMs, rate, admin, app, in, out, dlq, maxRecord);
            } finally {
                try {
                    admin.deleteTopics(List.of(in, out, dlq, app + CHANGELOG_SUFFIX)).all().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // a topic left behind is deleted with the broker's temp directory
                }
                PipelineBench.deleteRecursively(state);
            }
        }
    }

    private static PipelinePoint measure(Env env, Settings settings, String label, int maxSize, long maxDelayMs,
            double rate, Admin admin, String app, String in, String out, String dlq, int maxRecord)
            throws Exception {
        BenchListener listener = new BenchListener();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        int cores = Runtime.getRuntime().availableProcessors();
        try (Pipeline pipeline = Pipeline.create(settings, drain -> listener)) {
            pipeline.warmUpDefault();
            TagstreamApp streams = new TagstreamApp(settings, pipeline.services());
            ImageEventSerde serde = new ImageEventSerde();
            serde.configure(settings.kafkaProperties(), false);
            try (OutcomeReader reader = new OutcomeReader(env.bootstrap(), settings.kafkaProperties(), out, dlq,
                    maxRecord)) {
                streams.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (streams.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                int cap = Math.max(64, 3 * PARTITIONS * maxSize * env.streamThreads());
                try (LoadProducer producer = new LoadProducer(env.bootstrap(), serde.serializer(), in, PARTITIONS,
                        env.images(), maxRecord, rate, cap, reader::outcomes)) {
                    producer.start();
                    Thread.sleep((long) (env.warmupSeconds() * 1000));
                    long windowStart = System.currentTimeMillis();
                    long cpu0 = os.getProcessCpuTime();
                    os.getProcessCpuLoad(); // starts the load sampling interval
                    listener.measuring = true;
                    Thread.sleep((long) (env.seconds() * 1000));
                    listener.measuring = false;
                    double cpuLoad = os.getProcessCpuLoad();
                    long cpu1 = os.getProcessCpuTime();
                    long windowEnd = System.currentTimeMillis();
                    producer.stopSending();
                    if (producer.failure() != null) {
                        throw new IllegalStateException("producer failed", producer.failure());
                    }
                    long sent = producer.sent();
                    long unanswered = 0;
                    if (rate > 0) {
                        // let what was offered in the window come out, so its latency counts
                        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                        while (reader.outcomes() < sent && System.nanoTime() < until) {
                            Thread.sleep(50);
                        }
                        unanswered = sent - reader.outcomes();
                    }
                    if (reader.failure() != null) {
                        throw new IllegalStateException("reader failed", reader.failure());
                    }
                    OutcomeReader.Snapshot s = reader.snapshot();
                    double windowSeconds = (windowEnd - windowStart) / 1000.0;
                    long[] sizes = logSizes(admin, List.of(in, app + CHANGELOG_SUFFIX));
                    long changelogRecords = endOffsets(admin, app + CHANGELOG_SUFFIX);
                    long received = Math.max(1, listener.received.get());
                    return summarize(label, maxSize, maxDelayMs, rate, s, windowStart, windowEnd, windowSeconds,
                            (cpu1 - cpu0) / 1e9 / windowSeconds, cpuLoad * cores, listener.meanDrained(),
                            sizes[1] / (double) received, changelogRecords / (double) received,
                            sizes[0] / (double) Math.max(1, sent), unanswered, reader.deadLetters());
                } finally {
                    streams.closeGracefully();
                }
            } finally {
                serde.close();
            }
        }
    }

    /**
     * The point's figures from the predictions: throughput counts predictions made inside the window; latency is
     * over records whose event time is inside the window (so warm-up and drain do not count).
     */
    static PipelinePoint summarize(String label, int maxSize, long maxDelayMs, double rate, OutcomeReader.Snapshot s,
            long windowStart, long windowEnd, double windowSeconds, double cpuCores, double cpuLoadCores,
            double meanDrained, double changelogBytesPerInput, double changelogRecordsPerInput,
            double inputBytesPerRecord, long unanswered, long deadLetters) {
        long predictedInWindow = 0;
        double inverseSizes = 0;
        double[] e2e = new double[s.eventMs().length];
        double[] seen = new double[e2e.length];
        int n = 0;
        for (int i = 0; i < s.eventMs().length; i++) {
            long p = s.predictedMs()[i];
            if (p >= windowStart && p < windowEnd) {
                predictedInWindow++;
                inverseSizes += 1.0 / Math.max(1, s.runSize()[i]);
            }
            long ev = s.eventMs()[i];
            if (ev >= windowStart && ev < windowEnd) {
                e2e[n] = p - ev;
                seen[n] = s.seenMs()[i] - ev;
                n++;
            }
        }
        Stats.Summary lat = Stats.Summary.of(Arrays.copyOf(e2e, n));
        Stats.Summary rd = Stats.Summary.of(Arrays.copyOf(seen, n));
        return new PipelinePoint(label, maxSize, maxDelayMs, rate, windowSeconds, predictedInWindow,
                predictedInWindow / windowSeconds, lat.p50(), lat.p95(), lat.p99(), rd.p50(), rd.p95(), rd.p99(),
                inverseSizes == 0 ? Double.NaN : predictedInWindow / inverseSizes, meanDrained,
                changelogBytesPerInput, changelogRecordsPerInput, inputBytesPerRecord, cpuCores, cpuLoadCores,
                unanswered, deadLetters);
    }

    /** Bytes on the broker's disk of each topic (all partitions), from describeLogDirs. */
    private static long[] logSizes(Admin admin, List<String> topics) throws Exception {
        long[] out = new long[topics.size()];
        var nodes = admin.describeCluster().nodes().get();
        List<Integer> ids = nodes.stream().map(n -> n.id()).toList();
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(ids).allDescriptions().get();
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                    int i = topics.indexOf(e.getKey().topic());
                    if (i >= 0) {
                        out[i] += e.getValue().size();
                    }
                }
            }
        }
        return out;
    }

    /** Records ever written to a topic: the sum of its partitions' end offsets (0 if it does not exist). */
    private static long endOffsets(Admin admin, String topic) throws Exception {
        Collection<org.apache.kafka.clients.admin.TopicDescription> d;
        try {
            d = admin.describeTopics(List.of(topic)).allTopicNames().get().values();
        } catch (java.util.concurrent.ExecutionException e) {
            return 0;
        }
        Map<TopicPartition, OffsetSpec> req = new java.util.HashMap<>();
        d.forEach(t -> t.partitions().forEach(p -> req.put(new TopicPartition(topic, p.partition()),
                OffsetSpec.latest())));
        long sum = 0;
        for (var r : admin.listOffsets(req).all().get().values()) {
            sum += r.offset();
        }
        return sum;
    }
}
