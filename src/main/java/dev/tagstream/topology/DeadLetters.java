package dev.tagstream.topology;

import dev.tagstream.batch.PendingRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Builds dead letters in Kafka Streams' own DLQ format (KIP-1034): the original key and value bytes unchanged, the
 * input's headers and timestamp, and the {@code __streams.errors.*} headers; plus ours under
 * {@code tagstream.error.}: a stable reason, the stage, the model (when known) and a message.
 */
public final class DeadLetters {
    public static final String EXCEPTION = "__streams.errors.exception";
    public static final String MESSAGE = "__streams.errors.message";
    public static final String STACKTRACE = "__streams.errors.stacktrace";
    public static final String TOPIC = "__streams.errors.topic";
    public static final String PARTITION = "__streams.errors.partition";
    public static final String OFFSET = "__streams.errors.offset";
    public static final String REASON = "tagstream.error.reason";
    public static final String STAGE = "tagstream.error.stage";
    public static final String MODEL = "tagstream.error.model";
    public static final String DETAIL = "tagstream.error.message";

    private DeadLetters() {}

    /**
     * @param model the model the record was routed to, or null when routing itself failed
     * @param error what went wrong; its class, message and stack trace go into the headers
     */
    public static Record<byte[], byte[]> of(PendingRecord source, DeadLetterReason reason, String model,
            String message, Throwable error) {
        Headers headers = new RecordHeaders();
        for (PendingRecord.Header h : source.headers()) {
            headers.add(h.key(), h.value());
        }
        headers.add(EXCEPTION, utf8(error.getClass().getName()));
        headers.add(MESSAGE, utf8(message));
        headers.add(STACKTRACE, utf8(stackTrace(error)));
        headers.add(TOPIC, utf8(source.topic()));
        headers.add(PARTITION, utf8(String.valueOf(source.partition())));
        headers.add(OFFSET, utf8(String.valueOf(source.offset())));
        headers.add(REASON, utf8(reason.name()));
        headers.add(STAGE, utf8(reason.stage()));
        if (model != null) {
            headers.add(MODEL, utf8(model));
        }
        headers.add(DETAIL, utf8(message));
        return new Record<>(source.key(), source.value(), source.timestamp(), headers);
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        // A stack trace in a header must not push a phone photo over the topic's message size limit.
        return s.length() > 8_192 ? s.substring(0, 8_192) : s;
    }
}
