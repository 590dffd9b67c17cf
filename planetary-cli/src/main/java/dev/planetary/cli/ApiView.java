package dev.planetary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A verb that shows one resource of a running daemon's local API (VL.md §13.2): {@code GET} it and
 * print the JSON as is ({@code --json}), or as the text lines {@link #print} makes of it.
 */
abstract class ApiView implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    StatusCommand.Where where;
    @Option(names = "--json", description = "Print the API's JSON as it is.")
    boolean json;

    /** The API path to GET. */
    abstract String path();

    /** Prints the resource as text lines (peer-supplied text through {@link RootsetCommand#printable}). */
    abstract void print(JsonNode resource);

    @Override
    public Integer call() throws Exception {
        String body = StatusCommand.request(where.socket(), "GET", path(), null).body().strip();
        if (json) System.out.println(body);
        else print(JSON.readTree(body));
        return 0;
    }
}
