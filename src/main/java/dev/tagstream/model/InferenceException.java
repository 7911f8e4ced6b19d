package dev.tagstream.model;

/** See {@link ModelRepository} and {@link Classifier} for when this is thrown; the message names model and cause. */
public final class InferenceException extends Exception {
    public InferenceException(String message) {
        super(message);
    }

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
