package dev.tagstream.serde;

import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the Confluent wire format into a specific Avro record: the writer's schema is fetched by id and resolved
 * against this reader's schema, so events from producers with an older schema keep working.
 *
 * <p>Every value that cannot be read (null, empty, wrong magic byte, shorter than the header, unknown schema id,
 * undecodable or trailing Avro bytes) raises a {@link SerializationException} whose message names the problem,
 * so the streams deserialization handler can dead-letter it. A registry that cannot be reached raises the
 * retriable {@link RegistryUnavailableException} instead: the record is fine and must not be dead-lettered.
 * Thread-safe.
 */
public final class AvroWireDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();
    private volatile SchemaRegistryClient registry;

    public AvroWireDeserializer(Schema readerSchema) {
        this.readerSchema = readerSchema;
    }

    public AvroWireDeserializer(Schema readerSchema, SchemaRegistryClient registry) {
        this(readerSchema);
        this.registry = registry;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (registry == null) {
            this.registry = SchemaRegistryClients.create(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        String what = readerSchema.getName() + " from topic " + topic;
        if (data == null) {
            throw new SerializationException("null value: a " + what + " must carry the event");
        }
        if (data.length == 0) {
            throw new SerializationException("empty value (0 bytes) for " + what
                    + ": expected the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary)");
        }
        if (data[0] != WireFormat.MAGIC) {
            throw new SerializationException(String.format(
                    "unknown magic byte 0x%02x for %s: expected 0x00 (Confluent wire format)", data[0] & 0xff, what));
        }
        if (data.length < WireFormat.HEADER_BYTES) {
            throw new SerializationException("truncated value of " + data.length + " bytes for " + what
                    + ": shorter than the 5-byte wire-format header");
        }
        int id = ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
        SpecificDatumReader<T> reader = readerFor(id, what);
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(data, WireFormat.HEADER_BYTES, data.length - WireFormat.HEADER_BYTES, null);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw new SerializationException("truncated Avro payload for " + what + " (schema id " + id + ", "
                    + data.length + " bytes)", e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                | ClassCastException | OutOfMemoryError e) {
            throw new SerializationException("corrupt Avro payload for " + what + " (schema id " + id + "): "
                    + e, e);
        }
        try {
            if (!decoder.isEnd()) {
                throw new SerializationException("Avro payload for " + what + " (schema id " + id
                        + ") has trailing bytes: written with another schema than id " + id + "?");
            }
        } catch (IOException e) {
            throw new SerializationException("cannot check the end of the Avro payload for " + what, e);
        }
        return record;
    }

    private SpecificDatumReader<T> readerFor(int id, String what) {
        SpecificDatumReader<T> cached = readers.get(id);
        if (cached != null) {
            return cached;
        }
        SchemaRegistryClient client = registry;
        if (client == null) {
            throw new IllegalStateException("deserializer used before configure(): no schema registry");
        }
        Schema writer;
        try {
            writer = client.schemaById(id);
        } catch (RegistryException e) {
            throw new SerializationException("unknown schema id " + id + " for " + what + ": " + e.getMessage(), e);
        }
        if (!writer.getFullName().equals(readerSchema.getFullName())
                && !readerSchema.getAliases().contains(writer.getFullName())) {
            throw new SerializationException("schema id " + id + " is " + writer.getFullName() + ", not "
                    + readerSchema.getFullName() + ", for " + what);
        }
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(writer, readerSchema);
        readers.putIfAbsent(id, reader);
        return reader;
    }
}
