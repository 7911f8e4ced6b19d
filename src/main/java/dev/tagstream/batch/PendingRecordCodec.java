package dev.tagstream.batch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of a {@link PendingRecord} in the pending-batch store and its changelog. Versioned by its first
 * byte so that a newer release can still read what an older one left pending. The store key is the source offset,
 * big-endian, so that iteration follows arrival order within the task's partition.
 */
public final class PendingRecordCodec {
    private static final byte VERSION = 1;

    private PendingRecordCodec() {}

    public static byte[] storeKey(int partition, long offset) {
        return ByteBuffer.allocate(12).putInt(partition).putLong(offset).array();
    }

    public static byte[] encode(PendingRecord r) {
        byte[] topic = r.topic().getBytes(StandardCharsets.UTF_8);
        byte[] model = r.model().getBytes(StandardCharsets.UTF_8);
        int size = 1 + 4 + topic.length + 4 + 8 + 8 + 8 + 4 + model.length + lengthOf(r.key()) + lengthOf(r.value()) + 4;
        List<byte[]> headerKeys = new ArrayList<>(r.headers().size());
        for (PendingRecord.Header h : r.headers()) {
            byte[] k = h.key().getBytes(StandardCharsets.UTF_8);
            headerKeys.add(k);
            size += 4 + k.length + lengthOf(h.value());
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION);
        b.putInt(topic.length).put(topic);
        b.putInt(r.partition()).putLong(r.offset()).putLong(r.timestamp()).putLong(r.arrivalMs());
        b.putInt(model.length).put(model);
        putNullable(b, r.key());
        putNullable(b, r.value());
        b.putInt(r.headers().size());
        for (int i = 0; i < r.headers().size(); i++) {
            b.putInt(headerKeys.get(i).length).put(headerKeys.get(i));
            putNullable(b, r.headers().get(i).value());
        }
        return b.array();
    }

    /** @throws IllegalArgumentException for bytes this codec did not write */
    public static PendingRecord decode(byte[] bytes) {
        if (bytes.length == 0 || bytes[0] != VERSION) {
            throw new IllegalArgumentException("pending record of unknown version "
                    + (bytes.length == 0 ? "(empty)" : String.valueOf(bytes[0])));
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            b.get();
            String topic = new String(getNullable(b), StandardCharsets.UTF_8);
            int partition = b.getInt();
            long offset = b.getLong();
            long timestamp = b.getLong();
            long arrival = b.getLong();
            String model = new String(getNullable(b), StandardCharsets.UTF_8);
            byte[] key = getNullable(b);
            byte[] value = getNullable(b);
            int n = b.getInt();
            List<PendingRecord.Header> headers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                headers.add(new PendingRecord.Header(new String(getNullable(b), StandardCharsets.UTF_8), getNullable(b)));
            }
            return new PendingRecord(topic, partition, offset, timestamp, arrival, model, key, value, headers);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("corrupt pending record of " + bytes.length + " bytes", e);
        }
    }

    private static int lengthOf(byte[] a) {
        return 4 + (a == null ? 0 : a.length);
    }

    private static void putNullable(ByteBuffer b, byte[] a) {
        if (a == null) {
            b.putInt(-1);
        } else {
            b.putInt(a.length).put(a);
        }
    }

    private static byte[] getNullable(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return null;
        }
        byte[] a = new byte[len];
        b.get(a);
        return a;
    }
}
