package org.countersign.domain;

/** What is wrong with one field of the input, said so a person can fix it. */
public record Problem(String field, String message) {}
