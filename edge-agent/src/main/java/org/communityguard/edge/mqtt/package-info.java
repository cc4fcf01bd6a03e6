/**
 * The MQTT side of the gateway: {@link org.communityguard.edge.mqtt.MqttDeviceListener}
 * subscribes to the device topics on the gateway's broker, hands messages to the device ingest,
 * acknowledges them once buffered, and publishes errors and commands.
 */
package org.communityguard.edge.mqtt;
