package io.troupe.runtime.protocol;

/** Marker for messages that cross nodes; bound to Pekko's Jackson CBOR serializer in troupe.conf. */
public interface CborMessage {}
