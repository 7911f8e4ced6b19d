package dev.tagstream.serde;

/** The Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary payload. */
final class WireFormat {
    static final byte MAGIC = 0;
    static final int HEADER_BYTES = 5;

    private WireFormat() {}
}
