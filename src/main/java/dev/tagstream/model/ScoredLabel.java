package dev.tagstream.model;

/** One top-k result: class index, its label and its softmax probability. */
public record ScoredLabel(int index, String label, float probability) {}
