package dev.tagstream.serde;

import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializer and deserializer of one specific record type in the Confluent wire format. Subclasses with a no-arg
 * constructor ({@link ImageEventSerde}, {@link PredictionSerde}) can be named by class in Kafka config, where
 * Confluent's {@code SpecificAvroSerde} can take their place byte for byte.
 */
public class AvroWireSerde<T extends SpecificRecord> implements Serde<T> {
    private final AvroWireSerializer<T> serializer;
    private final AvroWireDeserializer<T> deserializer;

    public AvroWireSerde(Schema schema) {
        this.serializer = new AvroWireSerializer<>(schema);
        this.deserializer = new AvroWireDeserializer<>(schema);
    }

    public AvroWireSerde(Schema schema, SchemaRegistryClient registry, boolean autoRegister) {
        this.serializer = new AvroWireSerializer<>(schema, registry, autoRegister);
        this.deserializer = new AvroWireDeserializer<>(schema, registry);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
