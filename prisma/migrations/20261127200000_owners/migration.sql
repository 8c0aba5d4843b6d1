-- Every user-made thing has an owner (issue 11, items 4 and 5).

-- AlterTable: the user who created a persona may change it. Built-ins have no owner, and neither do
-- personas created before owners were kept (their creator was never recorded): both are admin-only writable.
ALTER TABLE "Persona" ADD COLUMN "ownerId" TEXT;

-- Data: the summary a persona-to-persona conversation leaves in each participant's memory was stored
-- without an owner, so every user found it. It belongs to the user who ran the conversation: the
-- conversation of the same two personas that names the memory's topic, ended nearest to the memory's
-- creation. The vector index keeps owners beside the vectors, so those rows are re-synced (indexedAt NULL).
UPDATE "Memory" SET
    "userId" = (
        SELECT c."userId" FROM "Conversation" c
        WHERE c."kind" = 'persona' AND c."userId" IS NOT NULL
          AND ((c."personaId" = "Memory"."personaId" AND c."otherPersonaId" = json_extract("Memory"."relatedPersonas", '$[0]'))
            OR (c."otherPersonaId" = "Memory"."personaId" AND c."personaId" = json_extract("Memory"."relatedPersonas", '$[0]')))
        ORDER BY ("Memory"."content" LIKE '% about ' || c."topic" || ':%') DESC,
            abs(julianday(coalesce(c."endedAt", c."lastActivityAt")) - julianday("Memory"."createdAt"))
        LIMIT 1
    ),
    "indexedAt" = NULL
WHERE "userId" IS NULL AND "memoryType" = 'conversation' AND json_valid("relatedPersonas") AND json_array_length("relatedPersonas") = 1
  AND EXISTS (
        SELECT 1 FROM "Conversation" c
        WHERE c."kind" = 'persona' AND c."userId" IS NOT NULL
          AND ((c."personaId" = "Memory"."personaId" AND c."otherPersonaId" = json_extract("Memory"."relatedPersonas", '$[0]'))
            OR (c."otherPersonaId" = "Memory"."personaId" AND c."personaId" = json_extract("Memory"."relatedPersonas", '$[0]')))
  );
