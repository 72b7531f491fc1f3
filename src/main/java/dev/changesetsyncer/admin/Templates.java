package dev.changesetsyncer.admin;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.util.Map;

/**
 * The admin page's templates (src/main/jte), precompiled by the jte-maven-plugin with
 * {@link ContentType#Html}: every {@code ${...}} is escaped for where it stands (text or attribute),
 * so what a code host sent (titles, authors, branch names) is shown as text, never run.
 */
final class Templates {
    private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

    String render(String name, Map<String, Object> parameters) {
        StringOutput out = new StringOutput();
        engine.render(name + ".jte", parameters, out);
        return out.toString();
    }
}
