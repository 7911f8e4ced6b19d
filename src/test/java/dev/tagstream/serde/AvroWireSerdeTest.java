package dev.tagstream.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tagstream.avro.ImageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import dev.tagstream.testing.WireBytes;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroWireSerdeTest {
    private static final String TOPIC = "images";
    private String scope;
    private ImageEventSerde serde;

    @BeforeEach
    void setUp() {
        scope = "serde-test-" + UUID.randomUUID();
        serde = new ImageEventSerde();
        serde.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope), false);
    }

    @AfterEach
    void tearDown() {
        MockSchemaRegistry.dropScope(scope);
    }

    private static ImageEvent event() {
        return ImageEvent.newBuilder()
                .setId("img-1")
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xff}))
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setContentType("image/jpeg")
                .setSource("uploads/cat.jpg")
                .setAttributes(Map.of("user", "42"))
                .build();
    }

    @Test
    void shouldRoundTripThroughAMockRegistryInTheConfluentWireFormat() {
        byte[] bytes = serde.serializer().serialize(TOPIC, event());

        assertThat(bytes[0]).isEqualTo((byte) 0);
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(MockSchemaRegistry.scope(scope).schemaById(id)).isEqualTo(ImageEvent.getClassSchema());
        assertThat(MockSchemaRegistry.scope(scope).subjects()).containsExactly(TOPIC + "-value");
        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(event());
    }

    @Test
    void shouldReadAVersionOneEventWithTheVersionTwoReaderFillingDefaults() throws IOException {
        Schema v1;
        try (InputStream in = getClass().getResourceAsStream("/schemas/ImageEvent-v1.avsc")) {
            v1 = new Schema.Parser().parse(in);
        }
        int v1Id = MockSchemaRegistry.scope(scope).register(TOPIC + "-value", v1);
        GenericRecord old = new GenericData.Record(v1);
        old.put("id", "old-1");
        old.put("image", ByteBuffer.wrap(new byte[] {9, 8, 7}));
        old.put("event_time", 1234L);

        ImageEvent read = serde.deserializer().deserialize(TOPIC, WireBytes.of(v1Id, v1, old));

        assertThat(read.getId()).isEqualTo("old-1");
        assertThat(read.getImage()).isEqualTo(ByteBuffer.wrap(new byte[] {9, 8, 7}));
        assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(1234L));
        assertThat(read.getContentType()).isNull();
        assertThat(read.getSource()).isNull();
        assertThat(read.getAttributes()).isEmpty();
    }

    @Test
    void shouldNameTheProblemForANullValue() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("null value");
    }

    @Test
    void shouldNameTheProblemForAnEmptyValue() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[0]))
                .isInstanceOf(SerializationException.class).hasMessageContaining("empty value (0 bytes)");
    }

    @Test
    void shouldNameTheWrongMagicByte() {
        byte[] json = "{\"id\":\"x\"}".getBytes();
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, json))
                .isInstanceOf(SerializationException.class).hasMessageContaining("unknown magic byte 0x7b");
    }

    @Test
    void shouldRefuseAValueShorterThanTheHeader() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("truncated value of 3 bytes");
    }

    @Test
    void shouldNameAnUnknownSchemaId() {
        byte[] bytes = serde.serializer().serialize(TOPIC, event());
        ByteBuffer.wrap(bytes).putInt(1, 4242);
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOf(SerializationException.class)
                .isNotInstanceOf(RegistryUnavailableException.class)
                .hasMessageContaining("unknown schema id 4242");
    }

    @Test
    void shouldRefuseATruncatedAvroPayload() {
        byte[] bytes = serde.serializer().serialize(TOPIC, event());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 12);
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Avro payload");
    }

    @Test
    void shouldRefuseAGarbageLengthWithoutAllocatingIt() {
        byte[] bytes = serde.serializer().serialize(TOPIC, event());
        // After the header the first field is the id string: a varint length. 0xfe 0xff 0xff 0xff 0x0f is ~2^31.
        byte[] garbage = new byte[] {0, bytes[1], bytes[2], bytes[3], bytes[4],
            (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3};
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, garbage))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void shouldRefuseTrailingBytes() {
        byte[] bytes = serde.serializer().serialize(TOPIC, event());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, longer))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void shouldWriteWithTheLatestRegisteredIdWhenNotAutoRegistering() {
        int id = MockSchemaRegistry.scope(scope).register(TOPIC + "-value", ImageEvent.getClassSchema());
        ImageEventSerde noRegister = new ImageEventSerde();
        noRegister.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope,
                AvroWireSerializer.AUTO_REGISTER, "false", AvroWireSerializer.USE_LATEST, "true"), false);

        byte[] bytes = noRegister.serializer().serialize(TOPIC, event());

        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void shouldRefuseToWriteAnUnregisteredSchemaWhenAutoRegisterIsOff() {
        ImageEventSerde noRegister = new ImageEventSerde();
        noRegister.configure(Map.of(RegistryClientConfig.URL, "mock://" + scope,
                AvroWireSerializer.AUTO_REGISTER, "false"), false);
        assertThatThrownBy(() -> noRegister.serializer().serialize(TOPIC, event()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not found");
    }
}
