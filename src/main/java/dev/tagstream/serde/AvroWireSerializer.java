package dev.tagstream.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes specific Avro records in the Confluent wire format under the topic-name subject strategy
 * ({@code <topic>-value} or {@code <topic>-key}). With {@code auto.register.schemas=true} (the default) the
 * schema is registered on first use; otherwise {@code use.latest.version=true} writes with the subject's latest
 * id, and with neither the schema must already be registered. Thread-safe: Kafka Streams shares a sink's
 * serializer between tasks.
 */
public final class AvroWireSerializer<T extends SpecificRecord> implements Serializer<T> {
    public static final String AUTO_REGISTER = "auto.register.schemas";
    public static final String USE_LATEST = "use.latest.version";
    public static final String VALUE_SUBJECT_STRATEGY = "value.subject.name.strategy";
    public static final String KEY_SUBJECT_STRATEGY = "key.subject.name.strategy";
    private static final String TOPIC_NAME_STRATEGY = "io.confluent.kafka.serializers.subject.TopicNameStrategy";

    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    private volatile SchemaRegistryClient registry;
    private volatile boolean autoRegister = true;
    private volatile boolean useLatest;
    private volatile boolean isKey;

    public AvroWireSerializer(Schema schema) {
        this.schema = schema;
        this.writer = new SpecificDatumWriter<>(schema);
    }

    /** For code that owns its registry client, such as tests and the demo. */
    public AvroWireSerializer(Schema schema, SchemaRegistryClient registry, boolean autoRegister) {
        this(schema);
        this.registry = registry;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        Object strategy = configs.get(isKey ? KEY_SUBJECT_STRATEGY : VALUE_SUBJECT_STRATEGY);
        if (strategy != null && !strategy.toString().equals(TOPIC_NAME_STRATEGY)
                && !strategy.toString().equals("TopicNameStrategy")) {
            throw new ConfigException(isKey ? KEY_SUBJECT_STRATEGY : VALUE_SUBJECT_STRATEGY, strategy,
                    "only the topic-name strategy is supported (" + TOPIC_NAME_STRATEGY + ")");
        }
        this.autoRegister = Boolean.parseBoolean(String.valueOf(configs.get(AUTO_REGISTER) == null ? "true" : configs.get(AUTO_REGISTER)));
        this.useLatest = Boolean.parseBoolean(String.valueOf(configs.get(USE_LATEST)));
        if (registry == null) {
            this.registry = SchemaRegistryClients.create(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        SchemaRegistryClient client = registry;
        if (client == null) {
            throw new IllegalStateException("serializer used before configure(): no schema registry");
        }
        String subject = topic + (isKey ? "-key" : "-value");
        int id;
        if (autoRegister) {
            id = client.register(subject, schema);
        } else if (useLatest) {
            id = client.latest(subject).id();
        } else {
            id = client.idOf(subject, schema);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(WireFormat.MAGIC);
        out.write(id >>> 24);
        out.write(id >>> 16);
        out.write(id >>> 8);
        out.write(id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(data, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot write " + schema.getFullName() + " for topic " + topic + ": "
                    + e.getMessage(), e);
        }
        return out.toByteArray();
    }
}
