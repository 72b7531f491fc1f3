package dev.changesetsyncer.freshness;

/** A run's figures for one class of changesets, or for all of them. */
public record ClassFigures(long changesets, Calls calls, Staleness staleness) {}
