/** An embedded MQTT broker for the demo, where no Mosquitto runs. */
package org.communityguard.edge.broker;
