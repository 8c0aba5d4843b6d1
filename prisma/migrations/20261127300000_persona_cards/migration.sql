-- Character cards (issue 16): what a card brings beyond the persona's own fields (greetings, scenario,
-- examples, prompts, lorebook, vendor extensions, kept to be exported again), and the card's avatar image.

-- AlterTable
ALTER TABLE "Persona" ADD COLUMN "cardExtras" JSONB;
ALTER TABLE "Persona" ADD COLUMN "avatar" BLOB;
ALTER TABLE "Persona" ADD COLUMN "avatarMime" TEXT;
