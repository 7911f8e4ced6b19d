package dev.tagstream.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka cluster in this JVM, started the way {@code kafka-storage format} and
 * {@code kafka-server-start} do: a temporary log directory is formatted, then one combined broker and controller
 * (KRaft) starts on free loopback ports. Sized for images (records up to {@code maxMessageBytes}).
 *
 * <p>{@link #stop()} shuts the server down and keeps the directory, so {@link #restart()} brings the same cluster
 * (same cluster id, topics, committed offsets and data) back on the same ports, as a restarted broker process would.
 * {@link #close()} stops the server if it is running and deletes the directory. Not thread-safe: one owner drives it.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private final KafkaConfig config;
    private final Path dir;
    private final String bootstrap;
    private KafkaRaftServer server;

    private EmbeddedKafka(KafkaConfig config, KafkaRaftServer server, Path dir, String bootstrap) {
        this.config = config;
        this.server = server;
        this.dir = dir;
        this.bootstrap = bootstrap;
    }

    /** @param overrides broker properties that win over the defaults below */
    public static EmbeddedKafka start(int maxMessageBytes, Map<String, String> overrides) throws Exception {
        Path dir = Files.createTempDirectory("tagstream-kafka-");
        try {
            int brokerPort = freePort();
            int controllerPort = freePort();
            String host = InetAddress.getLoopbackAddress().getHostAddress();
            Map<String, String> props = new HashMap<>();
            props.put("process.roles", "broker,controller");
            props.put("node.id", "1");
            props.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
            props.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
            props.put("controller.listener.names", "CONTROLLER");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("log.dirs", dir.toString());
            props.put("offsets.topic.replication.factor", "1");
            props.put("offsets.topic.num.partitions", "4");
            props.put("transaction.state.log.replication.factor", "1");
            props.put("transaction.state.log.min.isr", "1");
            props.put("transaction.state.log.num.partitions", "4");
            props.put("group.initial.rebalance.delay.ms", "0");
            props.put("num.partitions", "1");
            props.put("message.max.bytes", String.valueOf(maxMessageBytes));
            props.put("replica.fetch.max.bytes", String.valueOf(maxMessageBytes));
            props.put("auto.create.topics.enable", "false");
            props.putAll(overrides);

            KafkaConfig config = new KafkaConfig(props, false);
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
                new Formatter()
                        .setPrintStream(quiet)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setNodeId(1)
                        .addDirectory(dir.toString())
                        .setMetadataLogDirectory(dir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .run();
            }
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            return new EmbeddedKafka(config, server, dir, host + ":" + brokerPort);
        } catch (Exception | Error e) {
            TempDirs.deleteRecursively(dir);
            throw e;
        }
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    /** The log directory (deleted by {@link #close()}). */
    public String logDir() {
        return dir.toString();
    }

    /** True between start (or {@link #restart()}) and {@link #stop()} or {@link #close()}. */
    public boolean isRunning() {
        return server != null;
    }

    /**
     * Shuts the broker and controller down (a controlled shutdown, as on SIGTERM) and keeps the log directory for
     * {@link #restart()}. Clients see the broker gone: connections refused on its ports. Does nothing if stopped.
     */
    public void stop() {
        KafkaRaftServer s = server;
        if (s == null) {
            return;
        }
        server = null;
        s.shutdown();
        s.awaitShutdown();
    }

    /**
     * Starts the stopped server again with the same configuration, ports and log directory: what it held before
     * {@link #stop()} is there again. Does nothing if it is running.
     */
    public void restart() {
        if (server != null) {
            return;
        }
        KafkaRaftServer s = new KafkaRaftServer(config, Time.SYSTEM);
        s.startup();
        server = s;
    }

    /** Stops the server if it is running and deletes the log directory. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
