package dev.tagstream.batch;

import java.util.List;

/**
 * One input record waiting in a task's pending batch, exactly as it arrived: raw key and value bytes (so a dead
 * letter can be replayed as is), headers, timestamp and source position, plus the model it was routed to and when
 * it arrived (wall clock, for the batch's age). This is what the changelogged store holds.
 *
 * @param key raw key bytes, or null
 * @param value raw value bytes, never null (null values are dead-lettered before batching)
 */
public record PendingRecord(
        String topic,
        int partition,
        long offset,
        long timestamp,
        long arrivalMs,
        String model,
        byte[] key,
        byte[] value,
        List<Header> headers) {

    public PendingRecord {
        headers = List.copyOf(headers);
    }

    /** A record header; the value may be null, as Kafka allows. */
    public record Header(String key, byte[] value) {}
}
