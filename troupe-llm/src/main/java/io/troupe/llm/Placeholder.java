package io.troupe.llm; final class Placeholder {}
