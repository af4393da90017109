package io.troupe.runtime.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;

/**
 * Encodes user payloads (constructor arguments, call arguments and results) that cross nodes.
 * Uses Java serialization between trusted cluster members, so payload types must be {@link java.io.Serializable} (records, strings,
 * boxed numbers, collections of those). Classes resolve through the thread's context class loader,
 * so application classes from {@code --classpath} work. Calls within one node never encode.
 */
public final class PayloadCodec {
  private PayloadCodec() {}

  public static byte[] encode(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (NotSerializableException e) {
      throw new IllegalArgumentException("cannot send a " + e.getMessage()
          + " to another node: make it java.io.Serializable (a record implementing Serializable works)", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode payload: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  public static Object decode(byte[] data) {
    if (data == null) {
      return null;
    }
    try (ObjectInputStream in = new ContextObjectInputStream(new ByteArrayInputStream(data))) {
      return in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalArgumentException("cannot decode payload: " + e, e);
    }
  }

  private static final class ContextObjectInputStream extends ObjectInputStream {
    ContextObjectInputStream(InputStream in) throws IOException {
      super(in);
      // Payloads come from cluster members, which are trusted like the code they run. A per-stream
      // filter replaces the JVM-wide one that Helidon installs (it rejects everything by default).
      setObjectInputFilter(info -> ObjectInputFilter.Status.ALLOWED);
    }

    @Override
    protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      if (cl != null) {
        try {
          return Class.forName(desc.getName(), false, cl);
        } catch (ClassNotFoundException ignored) {
          // fall back to the default resolution below
        }
      }
      return super.resolveClass(desc);
    }
  }
}
