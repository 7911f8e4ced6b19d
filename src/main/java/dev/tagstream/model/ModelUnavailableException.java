package dev.tagstream.model;

/** See {@link ModelRepository} and {@link Classifier} for when this is thrown; the message names model and cause. */
public final class ModelUnavailableException extends Exception {
    public ModelUnavailableException(String message) {
        super(message);
    }

    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
