package io.troupe.runtime; final class Placeholder {}
