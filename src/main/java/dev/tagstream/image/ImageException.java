package dev.tagstream.image;

/** An image that cannot be preprocessed; {@link #failure()} is the stable reason for the dead letter. */
public final class ImageException extends Exception {
    private final ImageFailure failure;

    public ImageException(ImageFailure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public ImageException(ImageFailure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public ImageFailure failure() { return failure; }
}
