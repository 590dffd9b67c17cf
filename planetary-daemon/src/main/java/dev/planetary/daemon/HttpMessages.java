package dev.planetary.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The request and response of the local API's HTTP/1.1 server (VL.md §13.1). */
public final class HttpMessages {
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private HttpMessages() {}

    /**
     * A parsed request.
     *
     * @param path    the decoded-free path (no query), as sent
     * @param headers header names in lower case; a repeated header keeps its last value
     */
    public record Request(String method, String path, String query, Map<String, String> headers, byte[] body) {}

    /**
     * A response; always sent with {@code Connection: close}.
     *
     * @param headers extra header lines (name to value), beside the ones the server always sends
     */
    public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {
        public Response {
            headers = Map.copyOf(headers);
        }

        public Response(int status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }

        /** 302 to {@code location} (a path on this server). */
        public static Response redirect(String location) {
            return new Response(302, "text/plain; charset=utf-8", new byte[0], Map.of("Location", location));
        }

        public static Response json(int status, Object value) {
            try {
                return new Response(status, "application/json", JSON.writeValueAsBytes(value));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("not serialisable: " + e.getMessage(), e);
            }
        }

        /** {@code {"error": reason}} (§13.1). */
        public static Response error(int status, String reason) {
            return json(status, Map.of("error", reason));
        }

        public static Response text(int status, String contentType, String body) {
            return new Response(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Serves requests; may throw (the server answers 500 and goes on). */
    @FunctionalInterface
    public interface Router {
        Response handle(Request request);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 302 -> "Found";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
