package dev.tagstream.cli;

import dev.tagstream.config.Settings;
import dev.tagstream.config.SettingsDef;
import dev.tagstream.model.ModelUnavailableException;
import dev.tagstream.ops.OpsServer;
import dev.tagstream.ops.Pipeline;
import dev.tagstream.ops.PipelineMetrics;
import dev.tagstream.ops.StartupChecks;
import dev.tagstream.ops.StartupException;
import dev.tagstream.ops.TagstreamApp;
import dev.tagstream.serde.SchemaRegistryClients;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the processor against an external Kafka and schema registry until SIGTERM or Ctrl-C.")
final class RunCommand implements Callable<Integer> {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_STARTUP = 4;
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOptions config;

    @Option(names = "--help-config", description = "Print every tagstream setting with its default and exit.")
    boolean helpConfig;

    @Override
    public Integer call() throws Exception {
        if (helpConfig) {
            System.out.println(SettingsDef.describe());
            return 0;
        }
        Settings settings;
        try {
            settings = config.load(System.getenv(), List.of());
        } catch (ConfigException e) {
            System.err.println("tagstream: bad configuration: " + e.getMessage());
            return EXIT_CONFIG;
        }
        dev.tagstream.ops.LogFormat.apply(settings.logFormat());
        LOG.info("effective configuration: {}", settings.describe());
        try (Service service = Service.start(settings)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                LOG.info("stop requested: draining pending batches (grace {} ms)", settings.shutdownGraceMs());
                service.close();
            }, "tagstream-shutdown"));
            LOG.info("tagstream running; metrics and health on port {}", service.ops.port());
            service.awaitTermination();
            boolean failed = service.app.state() == KafkaStreams.State.ERROR;
            service.close();
            return failed ? 1 : 0;
        } catch (StartupException e) {
            System.err.println("tagstream: cannot start: " + e.getMessage());
            return EXIT_STARTUP;
        }
    }

    /** The running service and everything it owns, closed in reverse order of start. */
    static final class Service implements AutoCloseable {
        final Pipeline pipeline;
        final TagstreamApp app;
        final OpsServer ops;
        private final CountDownLatch terminated = new CountDownLatch(1);
        private volatile boolean closed;

        private Service(Pipeline pipeline, TagstreamApp app, OpsServer ops) {
            this.pipeline = pipeline;
            this.app = app;
            this.ops = ops;
        }

        /** Checks, loads and warms the default model, then starts Kafka Streams. */
        static Service start(Settings settings) throws StartupException {
            StartupChecks checks = new StartupChecks(settings);
            try (Admin admin = Admin.create(KafkaClients.admin(settings))) {
                checks.brokersAndTopics(admin);
            }
            checks.registry(SchemaRegistryClients.create(settings.kafkaProperties()));
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            Pipeline pipeline;
            try {
                pipeline = Pipeline.create(settings, drain -> new PipelineMetrics(registry, drain));
                pipeline.warmUpDefault();
            } catch (ModelUnavailableException e) {
                throw new StartupException("default model unavailable: " + e.getMessage()
                        + " (to try the service without real weights: tagstream models synth "
                        + settings.defaultModel() + " --dir " + settings.modelsDir() + ")", e);
            }
            String defaultModel = pipeline.defaultModel();
            pipeline.models().provider(defaultModel).ifPresent(p -> io.micrometer.core.instrument.Gauge
                    .builder("tagstream.provider", () -> 1).tag("model", defaultModel).tag("provider", p.toString())
                    .description("Execution provider in use").register(registry));
            io.micrometer.core.instrument.Gauge.builder("tagstream.models.loaded",
                    () -> pipeline.models().loadedModels().size()).register(registry);
            TagstreamApp app = new TagstreamApp(settings, pipeline.services());
            new KafkaStreamsMetrics(app.streams()).bindTo(registry);
            OpsServer ops;
            try {
                ops = OpsServer.start(settings.metricsPort(), registry, () -> readiness(app, pipeline));
            } catch (java.io.IOException e) {
                pipeline.close();
                throw new StartupException("cannot serve metrics on port " + settings.metricsPort() + ": "
                        + e.getMessage() + " (set tagstream.metrics.port)", e);
            }
            Service service = new Service(pipeline, app, ops);
            app.streams().setStateListener((now, before) -> {
                LOG.info("streams state {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    service.terminated.countDown();
                }
            });
            app.start();
            return service;
        }

        private static OpsServer.Readiness readiness(TagstreamApp app, Pipeline pipeline) {
            KafkaStreams.State state = app.state();
            if (state != KafkaStreams.State.RUNNING) {
                return new OpsServer.Readiness(false, "streams " + state);
            }
            if (!pipeline.defaultModelLoaded()) {
                return new OpsServer.Readiness(false, "default model " + pipeline.defaultModel() + " not loaded");
            }
            return new OpsServer.Readiness(true, "streams RUNNING, " + pipeline.defaultModel() + " warm");
        }

        void awaitTermination() throws InterruptedException {
            terminated.await();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            app.closeGracefully();
            pipeline.close();
            ops.close();
            terminated.countDown();
        }
    }
}
