package org.countersign.matrix;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How to reach Matrix. Enabled when {@code MATRIX_HOMESERVER_URL}, {@code MATRIX_ACCESS_TOKEN} and
 * {@code MATRIX_ROOM_ID} are set.
 *
 * @param securityRoomId the private room for confidential requests, or null: then they are refused in Matrix
 */
public record MatrixSettings(String homeserverUrl, String accessToken, String roomId, String securityRoomId) {
    private static final Pattern ROOM_ID = Pattern.compile("![^:\\s]+:[^\\s]+");

    /**
     * The settings, or null when Matrix is not configured; problems are added to {@code problems}.
     *
     * @param setting a setting by name, stripped; null when unset or blank
     */
    public static MatrixSettings fromEnv(java.util.function.Function<String, String> setting, List<String> problems) {
        var url = setting.apply("MATRIX_HOMESERVER_URL");
        var token = setting.apply("MATRIX_ACCESS_TOKEN");
        var room = setting.apply("MATRIX_ROOM_ID");
        var securityRoom = setting.apply("MATRIX_SECURITY_ROOM_ID");
        if (url == null && token == null && room == null) {
            if (securityRoom != null)
                problems.add("MATRIX_SECURITY_ROOM_ID is set but Matrix is off: set MATRIX_HOMESERVER_URL, "
                        + "MATRIX_ACCESS_TOKEN and MATRIX_ROOM_ID too (see README, Connect to Matrix)");
            return null;
        }
        int before = problems.size();
        if (url == null) problems.add("MATRIX_HOMESERVER_URL is not set: give the homeserver's client URL, "
                + "such as https://matrix.example.org");
        else if (!isHttpUrl(url)) problems.add("MATRIX_HOMESERVER_URL='" + url + "': expected an http(s) URL such as "
                + "https://matrix.example.org");
        if (token == null) problems.add("MATRIX_ACCESS_TOKEN is not set: the bot account's access token");
        if (room == null) problems.add("MATRIX_ROOM_ID is not set: the id (!abc:example.org) of the room for cards");
        else if (!ROOM_ID.matcher(room).matches())
            problems.add("MATRIX_ROOM_ID='" + room + "': expected a room id such as !abc123:example.org (room settings, "
                    + "Advanced), not an alias");
        if (securityRoom != null && !ROOM_ID.matcher(securityRoom).matches())
            problems.add("MATRIX_SECURITY_ROOM_ID='" + securityRoom + "': expected a room id such as !def456:example.org");
        if (securityRoom != null && securityRoom.equals(room))
            problems.add("MATRIX_SECURITY_ROOM_ID is the same as MATRIX_ROOM_ID: confidential requests need a private "
                    + "room of their own");
        if (problems.size() > before) return null;
        return new MatrixSettings(url.endsWith("/") ? url.substring(0, url.length() - 1) : url, token, room,
                securityRoom);
    }

    private static boolean isHttpUrl(String url) {
        try {
            var uri = URI.create(url);
            return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "MatrixSettings[homeserverUrl=" + homeserverUrl + ", accessToken=****, roomId=" + roomId
                + ", securityRoomId=" + securityRoomId + "]";
    }
}
