package dev.tagstream.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The registry answered, and the answer means the record cannot be read or written (unknown id, unknown subject,
 * incompatible schema, bad credentials). Retrying will not help, so this is a {@link SerializationException}: the
 * streams handler dead-letters the record.
 */
public final class RegistryException extends SerializationException {
    private final int httpStatus;
    private final int errorCode;

    public RegistryException(String message, int httpStatus, int errorCode) {
        super(message);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    /** HTTP status of the answer, or 0 for the in-process registry. */
    public int httpStatus() { return httpStatus; }

    /** Confluent error code (40401 subject not found, 40403 schema not found, ...), or 0 if none. */
    public int errorCode() { return errorCode; }
}
