# mqtt_as's MQTT 5 properties, {identifier: value}, and this package's,
# {mqtt.js name: value}: those mqtt_as documents (PUBLISH, SUBSCRIBE,
# CONNECT, and what an incoming message carries). Loaded for mqttv5 only.
_ID = (1, 2, 3, 8, 9, 11, 17, 23, 25, 33, 34, 35, 38, 39)
_NAME = ("payloadFormatIndicator messageExpiryInterval contentType responseTopic correlationData "
         "subscriptionIdentifier sessionExpiryInterval requestProblemInformation requestResponseInformation "
         "receiveMaximum topicAliasMaximum topicAlias userProperties maximumPacketSize").split()


def names(p):  # {0x26: {...}} -> {'userProperties': {...}}; ValueError for an identifier not above
    d = {}
    for k in p:
        if k not in _ID:
            raise ValueError("unknown property 0x%02x" % k)
        d[_NAME[_ID.index(k)]] = p[k]
    return d


def ids(p):  # the other way; None for none (as mqtt_as)
    return {_ID[_NAME.index(k)]: p[k] for k in p if k in _NAME} if p else None
