#pragma once
// Translates MqttOptions into Paho's connection settings, in one place: the server URI,
// MQTT 3.1.1 with a clean session (the store, not the broker session, is the record),
// no automatic reconnect (the forwarder drives reconnects and resends from its cursor),
// the retained last will, credentials and TLS.
#include <mqtt/connect_options.h>

#include <string>

#include "gridgate/northbound/mqtt_forwarder.hpp"

namespace gridgate::northbound {

// "tcp://host:port", or "ssl://host:port" when TLS is enabled.
std::string server_uri(const MqttOptions& options);

// No TLS error handler is installed: Paho C++ 1.2's connect() takes the options by value
// and Paho C keeps a pointer to that temporary as the handler's context, so the handler
// would be called through a dangling pointer on a handshake failure. Without a handler,
// Paho C prints OpenSSL's reason to stderr (the journal).
mqtt::connect_options make_connect_options(const MqttOptions& options, const std::string& will_topic,
                                           const std::string& will_payload);

// Human text for a Paho return code: CONNACK refusals (1..5) by name,
// Paho's own negative codes with its description.
std::string describe_mqtt_error(int rc);

// The same for a failed connect, with a hint where Paho gives nothing more specific than
// "failure" (a refused TCP connection, or a TLS handshake that failed verification).
std::string describe_connect_failure(int rc, const MqttOptions& options);

}  // namespace gridgate::northbound
