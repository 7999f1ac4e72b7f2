# mqtt_as's MQTT 5 properties, {identifier: value}, and this package's,
# {mqtt.js name: value}. Loaded by mqtt_as only for an mqttv5 client.
_ID = (1, 2, 3, 8, 9, 11, 17, 18, 19, 21, 22, 23, 24, 25, 26, 28, 31, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42)
_NAME = ("payloadFormatIndicator messageExpiryInterval contentType responseTopic correlationData "
         "subscriptionIdentifier sessionExpiryInterval assignedClientIdentifier serverKeepAlive "
         "authenticationMethod authenticationData requestProblemInformation willDelayInterval "
         "requestResponseInformation responseInformation serverReference reasonString receiveMaximum "
         "topicAliasMaximum topicAlias maximumQoS retainAvailable userProperties maximumPacketSize "
         "wildcardSubscriptionAvailable subscriptionIdentifiersAvailable sharedSubscriptionAvailable").split()


def names(p):  # {0x26: {...}} -> {'userProperties': {...}}; an unknown identifier is a ValueError
    d = {}
    for k in p:
        if k not in _ID:
            raise ValueError("unknown property 0x%02x" % k)
        d[_NAME[_ID.index(k)]] = p[k]
    return d


def ids(p):  # the other way; None for no properties (as mqtt_as)
    return {_ID[_NAME.index(k)]: p[k] for k in p} if p else None
