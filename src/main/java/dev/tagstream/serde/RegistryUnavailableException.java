package dev.tagstream.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The registry could not be reached, or answered 5xx, after the configured retries. Nothing is wrong with the
 * record: it must not be dead-lettered. It is retriable, so the service waits and reads it again later.
 */
public final class RegistryUnavailableException extends RetriableException {
    public RegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
