package dev.tagstream.ops;

import dev.tagstream.config.Settings;
import dev.tagstream.topology.PipelineServices;
import dev.tagstream.topology.TagstreamTopology;
import dev.tagstream.topology.TopologySettings;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running processor: the topology in a {@link KafkaStreams} client, with a thread-replacing exception handler
 * and a graceful close that drains pending batches first. Does not own the {@link PipelineServices}: close them
 * after this.
 */
public final class TagstreamApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TagstreamApp.class);

    private final KafkaStreams streams;
    private final PipelineServices services;
    private final Duration grace;

    public TagstreamApp(Settings settings, PipelineServices services) {
        this(settings, services, StreamsProperties.of(settings));
    }

    public TagstreamApp(Settings settings, PipelineServices services, Properties streamsProperties) {
        this.services = services;
        this.grace = Duration.ofMillis(settings.shutdownGraceMs());
        this.streams = new KafkaStreams(TagstreamTopology.build(TopologySettings.from(settings), services,
                StreamsProperties.maxRecordBytes(settings)), streamsProperties);
        streams.setUncaughtExceptionHandler(TagstreamApp::onUncaught);
        streams.setStateListener((now, before) -> LOG.info("streams state {} -> {}", before, now));
    }

    /**
     * Errors of the JVM end this client; anything else (a registry outage, a broker hiccup, a bug met by one
     * record) replaces the stream thread, which resumes from the last commit: records are retried, not lost.
     */
    static StreamThreadExceptionResponse onUncaught(Throwable t) {
        if (t instanceof Error || t.getCause() instanceof Error) {
            LOG.error("fatal error in a stream thread; shutting this instance down", t);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.warn("stream thread failed ({}); replacing it, its records will be read again", rootMessage(t));
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    public void start() {
        streams.start();
    }

    public KafkaStreams streams() {
        return streams;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * Graceful stop: asks every task to drain its pending batch now, waits (at most half the grace period) until
     * nothing is pending, then closes Kafka Streams, which commits. What is still pending stays in the changelog
     * for the next owner of the partition: nothing is lost either way.
     *
     * @return true if Kafka Streams closed within the grace period
     */
    @Override
    public void close() {
        closeGracefully();
    }

    public boolean closeGracefully() {
        long deadline = System.nanoTime() + grace.toNanos() / 2;
        services.drain().requestDrain();
        if (streams.state().isRunningOrRebalancing()) {
            while (services.drain().pending() > 0 && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        long left = services.drain().pending();
        if (left > 0) {
            LOG.warn("{} records still pending at shutdown; they stay in the changelog for the next owner", left);
        }
        boolean closed = streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(grace));
        LOG.info("streams closed{}", closed ? "" : " (timed out)");
        return closed;
    }
}
