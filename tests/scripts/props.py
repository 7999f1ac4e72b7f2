# Publish options of the documents (tests/scenarios/script_props.py): every
# property, twice (on an MQTT 3.1.1 client they are dropped, with one
# warning line per script); then subscriptionIdentifier, which a client may
# not send: a clear error in this hook, never a broker disconnect.
def onConnect(connack):
    opts = {"qos": 1, "dup": False, "retain": False, "properties": {
        "payloadFormatIndicator": True, "messageExpiryInterval": 4321, "topicAlias": 5, "responseTopic": "pr/resp",
        "correlationData": b"\x01\x02\x03\x04", "userProperties": {"test": "test"}, "contentType": "test"}}
    publish("pr/a", "one", opts)
    publish("pr/a", "two", opts)
    publish("pr/sid", "never sent", {"properties": {"subscriptionIdentifier": 120}})
    print("not reached")
