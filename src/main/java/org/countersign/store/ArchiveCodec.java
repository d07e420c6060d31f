package org.countersign.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * How an archived request is kept: a format byte, then {@code {"request": ..., "timeline": [...]}} deflated (raw,
 * level 9) with a preset dictionary of the names and values every request and event repeats, which halves what is left
 * of a small JSON document. Format 1 and its dictionary never change; a new dictionary is a new format byte.
 */
final class ArchiveCodec {
    static final byte FORMAT_1 = 1;
    /** Never edit: archives written with it are read with it. */
    static final byte[] DICTIONARY_1 = ("""
            {"request":{"id":"EMG-","version":,"state":"CLOSED","reason":"availability","confidential":false,\
            "requiredTeams":["sre","releng"],"summary":"","details":"","changes":["https://"],"task":null,\
            "rollback":true,"whyNotRollback":null,"requester":{"platform":"SLACK","user":"U0"},"requesterPerson":null,\
            "deployer":null,"created":"20","updated":"20","expires":"20","approvals":[{"team":"sre","by":\
            {"platform":"SLACK","user":"U0"},"at":"20"},{"team":"releng","by":{"platform":"MATRIX","user":"@"}\
            ,"at":"20"}],"rejection":null,"deployNote":null,"closeNote":null,"approvalsValidUntil":null,\
            "policySha256":null,"breakGlass":null,"review":null,"reviewDue":null,"reviewReminded":null,"reminded":\
            {"reminder":null,"escalated":null,"warned":null}},"timeline":[{"id":"EMG-","type":"request.opened",\
            "request":"EMG-","version":1,"at":"20","actor":{"platform":"SLACK","user":"U0"},"state":"PENDING",\
            "team":null,"detail":null},{"type":"approval.added","state":"APPROVED","type":"request.approved",\
            "type":"deploy.started","state":"DEPLOYING","type":"deploy.succeeded","state":"DEPLOYED",\
            "type":"request.closed","state":"CLOSED","type":"request.rejected","state":"REJECTED",\
            "type":"request.expired","state":"EXPIRED","type":"request.cancelled","state":"CANCELLED",\
            "platform":"CONSOLE","platform":"WEB","platform":"SYSTEM","user":"system"\
            """).getBytes(StandardCharsets.UTF_8);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A request's JSON and its timeline's, as one read back. */
    record Unpacked(String request, List<String> timeline) {}

    private ArchiveCodec() {}

    static byte[] pack(String request, List<String> timeline) {
        var text = new StringBuilder(request.length() * 2).append("{\"request\":").append(request).append(",\"timeline\":[");
        for (int i = 0; i < timeline.size(); i++) text.append(i == 0 ? "" : ",").append(timeline.get(i));
        var plain = text.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        var deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setDictionary(DICTIONARY_1);
            deflater.setInput(plain);
            deflater.finish();
            var out = new ByteArrayOutputStream(plain.length / 3 + 16);
            out.write(FORMAT_1);
            var buffer = new byte[4096];
            while (!deflater.finished()) out.write(buffer, 0, deflater.deflate(buffer));
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    static Unpacked unpack(byte[] packed) {
        if (packed.length == 0 || packed[0] != FORMAT_1)
            throw new IllegalStateException("archived request in an unknown format " + (packed.length == 0 ? "(empty)"
                    : Byte.toString(packed[0])) + ": written by a newer Countersign?");
        var inflater = new Inflater(true);
        try {
            inflater.setDictionary(DICTIONARY_1);
            inflater.setInput(packed, 1, packed.length - 1);
            var out = new ByteArrayOutputStream(packed.length * 4);
            var buffer = new byte[4096];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary()))
                    throw new IllegalStateException("archived request is cut short");
                out.write(buffer, 0, n);
            }
            var node = JSON.readTree(out.toByteArray());
            var timeline = new ArrayList<String>();
            for (var e : node.path("timeline")) timeline.add(JSON.writeValueAsString(e));
            return new Unpacked(JSON.writeValueAsString(node.get("request")), timeline);
        } catch (DataFormatException | JsonProcessingException e) {
            throw new IllegalStateException("archived request is not readable: " + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("archived request is not readable: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }
}
