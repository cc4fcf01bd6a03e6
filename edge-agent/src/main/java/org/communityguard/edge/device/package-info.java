/**
 * The device-facing core of the edge agent: from the bytes a device sent to a validated
 * {@link org.communityguard.edge.device.Reading} offered to a
 * {@link org.communityguard.edge.device.ReadingSink}, transport-independent.
 * <pre>
 *  transport (mqtt, coap)
 *      │ payload, device id, kind (from topic/path), format, protocol
 *      ▼
 *  DeviceIngest ── PayloadCodec ── ReadingValidator ── DeviceMemory ── ReadingSink
 *      │            bytes→tree      tree→Reading        copies, by      (buffer)
 *      │                            (DeviceProfile:       Fingerprint
 *      │                             the tables)           (seq, ts, data)
 *      ├── refusals: RejectReason/Rejection → counter, RejectionLog (rate-limited WARN)
 *      ▼
 *  Outcome ── transport answers the device; RejectionAnswers says how for a refusal
 * </pre>
 * {@link org.communityguard.edge.device.DeviceCommands} is the way back: commands queued for
 * devices, pushed over MQTT and served over CoAP until acknowledged.
 */
package org.communityguard.edge.device;
