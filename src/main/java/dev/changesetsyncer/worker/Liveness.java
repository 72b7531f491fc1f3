package dev.changesetsyncer.worker;

/**
 * Whether one of a replica's long-running parts is alive: its thread runs and it turned recently.
 *
 * @param part what it is ("claim loop", "writer", "listener")
 * @param alive its thread runs and its last turn is within its stall limit
 * @param detail how long ago it last turned, or why it is dead
 */
public record Liveness(String part, boolean alive, String detail) {}
