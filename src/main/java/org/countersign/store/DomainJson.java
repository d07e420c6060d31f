package org.countersign.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.Set;
import org.countersign.domain.Actor;
import org.countersign.domain.RequestId;

/**
 * The one JSON shape of the domain, for Redis and the web API alike: ids as {@code "EMG-12"}, actors as
 * {@code "slack:U0SRE1"}, instants as ISO-8601, enums by name, nulls left out, unknown fields ignored.
 */
public final class DomainJson {
    private DomainJson() {}

    /** A new mapper; thread-safe once built, so build one and share it. */
    public static ObjectMapper mapper() {
        var domain = new SimpleModule("countersign-domain");
        domain.addSerializer(RequestId.class, ToStringSerializer.instance);
        domain.addDeserializer(RequestId.class, new FromStringDeserializer<>(RequestId.class) {
            @Override
            protected RequestId _deserialize(String value, DeserializationContext ctxt) {
                return RequestId.parse(value)
                        .orElseThrow(() -> new IllegalArgumentException("not a request id: " + value));
            }
        });
        // As JavaTimeModule writes and reads them, without its formatter on the common form (IsoInstants).
        domain.addSerializer(java.time.Instant.class, new IsoInstants.Serializer());
        domain.addDeserializer(java.time.Instant.class, new IsoInstants.Deserializer());
        domain.addSerializer(Actor.class, ToStringSerializer.instance);
        domain.addDeserializer(Actor.class, new FromStringDeserializer<>(Actor.class) {
            @Override
            protected Actor _deserialize(String value, DeserializationContext ctxt) {
                return Actor.parse(value);
            }
        });
        var mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(domain)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .build();
        // A list or set left out (or null) reads as empty: the records copy them and would throw on null.
        mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
        mapper.configOverride(Set.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
        return mapper;
    }
}
