"""Events are values: once emitted, nothing can change what they say."""

import pytest

from engine.journal import event_kinds


@pytest.mark.parametrize("kind", sorted(event_kinds()))
def test_an_event_cannot_be_changed_once_made(kind):
    cls = event_kinds()[kind]
    values = dict.fromkeys(cls.__struct_fields__, 0)
    event = cls(**values)
    for name in values:
        with pytest.raises(AttributeError, match="immutable"):
            setattr(event, name, 1)
    with pytest.raises((AttributeError, TypeError)):
        event.extra = 1  # slotted: no new attributes either
