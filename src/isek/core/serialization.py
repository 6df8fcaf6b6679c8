"""Django's JSON serialization with times kept to the microsecond (the format "isekjson", for
backups): Django's own JSON encoder cuts them to milliseconds, and a time whose microseconds are
below one millisecond would then come back different from what it was. Reading is Django's."""

from __future__ import annotations

import datetime

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer


class Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", Encoder)
        super()._init_options()


Deserializer = JSONDeserializer
