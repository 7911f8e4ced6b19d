package dev.tagstream.cli;

import dev.tagstream.avro.ImageEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Publishes one image file as one {@link ImageEvent}: a fresh id (also the record key, so an image's retries land
 * in the same partition), the file name as source, the model header when given. Files are sent as they are: a
 * non-image ends in the dead-letter topic with its reason, which is the product's job to report.
 */
final class ImagePublisher {
    private final Producer<byte[], byte[]> producer;
    private final Serializer<ImageEvent> serializer;
    private final String topic;
    private final String modelHeader;
    private final String model;
    private final int maxBytes;

    ImagePublisher(Producer<byte[], byte[]> producer, Serializer<ImageEvent> serializer, String topic,
            String modelHeader, String model, int maxBytes) {
        this.producer = producer;
        this.serializer = serializer;
        this.topic = topic;
        this.modelHeader = modelHeader;
        this.model = model;
        this.maxBytes = maxBytes;
    }

    /** A published file: its event id and the broker's acknowledgement. */
    record Sent(Path file, String id, Future<RecordMetadata> ack) {}

    /** @throws FileTooLargeException when the file is over {@code tagstream.image.max-bytes}; nothing is sent */
    Sent publish(Path file) throws IOException {
        long size = Files.size(file);
        if (size > maxBytes) {
            throw new FileTooLargeException(file + " is " + size + " bytes, over the limit of " + maxBytes
                    + " (tagstream.image.max-bytes)");
        }
        byte[] bytes = Files.readAllBytes(file);
        String id = UUID.randomUUID().toString();
        ImageEvent event = ImageEvent.newBuilder()
                .setId(id)
                .setImage(ByteBuffer.wrap(bytes))
                .setEventTime(Instant.now())
                .setContentType(ImageFiles.contentType(file))
                .setSource(file.getFileName().toString())
                .setAttributes(Map.of())
                .build();
        RecordHeaders headers = new RecordHeaders();
        if (model != null) {
            headers.add(modelHeader, model.getBytes(StandardCharsets.UTF_8));
        }
        byte[] value = serializer.serialize(topic, event);
        Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(topic, null, null,
                id.getBytes(StandardCharsets.UTF_8), value, headers));
        return new Sent(file, id, ack);
    }

    static final class FileTooLargeException extends IOException {
        FileTooLargeException(String message) {
            super(message);
        }
    }
}
