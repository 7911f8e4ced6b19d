package dev.tagstream.model;

/** See {@link ModelRepository} and {@link Classifier} for when this is thrown; the message names model and cause. */
public final class UnknownModelException extends Exception {
    public UnknownModelException(String message) {
        super(message);
    }

    public UnknownModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
