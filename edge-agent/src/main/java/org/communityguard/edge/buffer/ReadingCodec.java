package org.communityguard.edge.buffer;

import org.communityguard.edge.device.Reading;

/**
 * How the buffer turns a reading into bytes on disk and back. The bytes are the reading exactly
 * as the uplink sends it (one reading object of docs/uplink.md), so a batch is sent by joining
 * them, without decoding anything; the uplink package provides the implementation.
 */
public interface ReadingCodec {

    byte[] encode(Reading reading);

    /** @throws IllegalArgumentException when the bytes are not a reading this codec wrote */
    Reading decode(byte[] encoded);
}
