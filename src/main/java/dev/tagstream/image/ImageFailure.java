package dev.tagstream.image;

/** Stable reason codes for images that cannot be turned into a tensor; they become DLQ reasons verbatim. */
public enum ImageFailure {
    /** Zero bytes. */
    IMAGE_EMPTY,
    /** The bytes are not a format we decode (text, random bytes, TIFF...). */
    UNSUPPORTED_FORMAT,
    /** A known format, but truncated or corrupt, or with zero/negative dimensions. */
    IMAGE_UNDECODABLE,
    /** More bytes than image.max-bytes or more pixels than image.max-pixels (checked before decoding). */
    IMAGE_TOO_LARGE
}
