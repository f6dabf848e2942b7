package sdk

// FormatAnthropic is Anthropic's Messages API: a body for
// [EndpointMessages], answered as a message or as its server-sent events.
//
// # Adapters of several formats
//
// An adapter may accept more than one format: [Info.Formats] lists its
// native format first and the formats it translates after it. Then
// [Info.WireCompatible] speaks of the first one only: bodies in it pass
// through unchanged apart from the model name and usage reporting, while
// bodies in the others are translated to the native format and the answer
// back to theirs (streamed or not), by pure functions on bytes. A request
// the translation cannot carry (a field the provider has no equivalent
// for) is refused without calling the provider: [Adapter.Do] answers 400
// with an error body in the client's format naming the field and
// [abi.BadRequest] as the result, which says nothing about the key.
const FormatAnthropic = "anthropic"

// EndpointMessages is Anthropic's Messages endpoint (POST {base}/messages),
// where bodies of [FormatAnthropic] go.
const EndpointMessages = "messages"
