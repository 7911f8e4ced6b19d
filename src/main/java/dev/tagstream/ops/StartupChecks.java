package dev.tagstream.ops;

import dev.tagstream.config.Settings;
import dev.tagstream.serde.RegistryException;
import dev.tagstream.serde.RegistryUnavailableException;
import dev.tagstream.serde.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code tagstream run} verifies before it starts processing, each failure a one-line message naming the fix:
 * the brokers answer, the input topic exists, the output and dead-letter topics exist or are created, the schema
 * registry answers. Each check is bounded by {@code tagstream.startup.timeout-ms}: an unreachable service is an
 * error, never a hang.
 */
public final class StartupChecks {
    private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);

    private final Settings settings;
    private final long timeoutMs;

    public StartupChecks(Settings settings) {
        this.settings = settings;
        this.timeoutMs = settings.startupTimeoutMs();
    }

    public void brokersAndTopics(Admin admin) throws StartupException {
        String bootstrap = settings.kafkaProperties().getOrDefault("bootstrap.servers", "?");
        int brokers;
        try {
            brokers = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS).size();
        } catch (TimeoutException e) {
            throw unreachable(bootstrap);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                // the client's own api timeout fired first: the same "nobody answered"
                throw unreachable(bootstrap);
            }
            throw new StartupException("Kafka at " + bootstrap + " refused the connection: "
                    + e.getCause().getMessage() + " (check security.protocol, sasl.*, ssl.*)", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while connecting to Kafka");
        }
        LOG.info("connected to Kafka at {} ({} brokers)", bootstrap, brokers);
        Set<String> topics = listTopics(admin);
        if (!topics.contains(settings.inputTopic())) {
            throw new StartupException("input topic '" + settings.inputTopic() + "' does not exist on " + bootstrap
                    + ": create it (one partition per instance you may run) or set tagstream.input.topic");
        }
        List<NewTopic> missing = new ArrayList<>();
        for (String t : List.of(settings.outputTopic(), settings.dlqTopic())) {
            if (!topics.contains(t)) {
                missing.add(new NewTopic(t, Optional.of(settings.topicPartitions()),
                        Optional.of(settings.topicReplicationFactor()))
                        .configs(Map.of("max.message.bytes", String.valueOf(StreamsProperties.maxRecordBytes(settings)))));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        List<String> names = missing.stream().map(NewTopic::name).toList();
        if (!settings.createTopics()) {
            throw new StartupException("topics " + names + " do not exist and tagstream.topics.create=false: "
                    + "create them, or allow the service to");
        }
        try {
            admin.createTopics(missing).all().get(timeoutMs, TimeUnit.MILLISECONDS);
            LOG.info("created topics {}", names);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new StartupException("cannot create topics " + names + ": " + e.getCause().getMessage()
                        + " (create them yourself, or grant CREATE on the cluster)", e.getCause());
            }
        } catch (TimeoutException e) {
            throw new StartupException("creating topics " + names + " took longer than " + timeoutMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while creating topics");
        }
    }

    private StartupException unreachable(String bootstrap) {
        return new StartupException("cannot reach Kafka at " + bootstrap + " within " + timeoutMs
                + " ms: check bootstrap.servers and the security settings (security.protocol, sasl.*, ssl.*)");
    }

    private Set<String> listTopics(Admin admin) throws StartupException {
        try {
            return admin.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new StartupException("cannot list topics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while listing topics");
        }
    }

    public void registry(SchemaRegistryClient registry) throws StartupException {
        String url = settings.kafkaProperties().getOrDefault("schema.registry.url", "?");
        try {
            registry.subjects();
        } catch (RegistryUnavailableException e) {
            throw new StartupException("schema registry is not reachable: " + e.getMessage()
                    + " (check schema.registry.url)", e);
        } catch (RegistryException e) {
            throw new StartupException(e.getMessage(), e);
        }
        LOG.info("schema registry answers at {}", dev.tagstream.serde.RegistryClientConfig.redact(java.net.URI.create(
                url.split(",")[0].trim())));
    }
}
