"""Error kinds of the reference (safetensors 0.8.0), recovered from its messages.

The Python binding reports every failure as SafetensorError with the text
"Error while deserializing[ header]: <Display>", where <Display> is the Rust
crate's message for the error variant, not the variant's name. This module
maps that text back to the variant (the "kind"). Shared by
check_reference.py and adapters/reference.
"""

# (text the message body starts with, kind). The order does not matter:
# no text is a prefix of another.
KIND_TEXT = [
    ("header too small", "HeaderTooSmall"),
    ("header too large", "HeaderTooLarge"),
    ("invalid header length", "InvalidHeaderLength"),
    ("invalid UTF-8", "InvalidHeader"),
    ("invalid JSON in header", "InvalidHeaderDeserialization"),
    ("invalid offset", "InvalidOffset"),
    ("overflow computing", "ValidationOverflow"),
    ("The slice is slicing for subbytes", "MisalignedSlice"),
    ("incomplete metadata", "MetadataIncompleteBuffer"),
    ("invalid shape, data type", "TensorInvalidInfo"),
]

PREFIXES = ("Error while deserializing header: ", "Error while deserializing: ")


def message_body(message):
    for p in PREFIXES:
        if message.startswith(p):
            return message[len(p):]
    return message


def kind_of(message):
    """(kind, tensor name or None) for a reference error message; kind is
    None when the text matches no known kind (never guessed)."""
    body = message_body(message)
    for text, kind in KIND_TEXT:
        if body.startswith(text):
            name = None
            if kind == "InvalidOffset":
                start = body.find("`")
                if start >= 0 and body.endswith("`"):
                    name = body[start + 1:-1]
            return kind, name
    return None, None
