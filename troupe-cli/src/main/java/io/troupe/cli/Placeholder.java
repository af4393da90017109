package io.troupe.cli; final class Placeholder {}
