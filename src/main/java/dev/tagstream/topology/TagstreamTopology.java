package dev.tagstream.topology;

import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole processing graph: input topic (raw bytes) -> classify (routing, pending batch in a logged store,
 * inference) -> predictions sink and dead-letter sink.
 *
 * <p>The source reads raw bytes and the processor deserializes, rather than Kafka Streams' source deserializer,
 * so that every failure, a bad value included, is dead-lettered with the original bytes in one format, and so that
 * a schema-registry outage is retried instead of dead-lettered.
 */
public final class TagstreamTopology {
    static final String SOURCE = "images-source";
    static final String CLASSIFY = "classify";

    private TagstreamTopology() {}

    /**
     * @param changelogMaxMessageBytes the pending store's changelog holds whole images: its topic must accept them
     */
    public static Topology build(TopologySettings settings, PipelineServices services, int changelogMaxMessageBytes) {
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.inputTopic());
        topology.addProcessor(CLASSIFY, () -> new ClassifyProcessor(settings, services), SOURCE);
        StoreBuilder<KeyValueStore<Bytes, byte[]>> pending = Stores.keyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(TopologySettings.PENDING_STORE), Serdes.Bytes(),
                        Serdes.ByteArray())
                .withLoggingEnabled(Map.of("max.message.bytes", String.valueOf(changelogMaxMessageBytes)));
        topology.addStateStore(pending, CLASSIFY);
        topology.addSink(ClassifyProcessor.PREDICTIONS, settings.outputTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), CLASSIFY);
        topology.addSink(ClassifyProcessor.DLQ, settings.dlqTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), CLASSIFY);
        return topology;
    }
}
