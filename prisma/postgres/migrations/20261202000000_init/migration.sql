-- The whole data model for PostgreSQL, as of the SQLite migrations up to 20261127300000_persona_cards
-- (one history per provider: these files are Prisma Migrate's for provider "postgresql").

-- CreateTable
CREATE TABLE "Persona" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "backstory" TEXT NOT NULL DEFAULT '',
    "speakingStyle" TEXT NOT NULL DEFAULT '',
    "personalityTraits" JSONB NOT NULL,
    "topicPreferences" JSONB NOT NULL,
    "charisma" INTEGER NOT NULL DEFAULT 10,
    "intelligence" INTEGER NOT NULL DEFAULT 10,
    "socialRank" TEXT NOT NULL DEFAULT 'commoner',
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "ownerId" TEXT,
    "cardExtras" JSONB,
    "avatar" BYTEA,
    "avatarMime" TEXT,
    "interestLevel" INTEGER NOT NULL DEFAULT 50,
    "interactionFatigue" INTEGER NOT NULL DEFAULT 0,
    "currentPriority" TEXT NOT NULL DEFAULT 'none',
    "availableTime" INTEGER NOT NULL DEFAULT 300,
    "socialEnergy" INTEGER NOT NULL DEFAULT 100,
    "cooldownUntil" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stateUpdatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Persona_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EmotionalState" (
    "personaId" TEXT NOT NULL,
    "mood" DOUBLE PRECISION NOT NULL,
    "energyLevel" DOUBLE PRECISION NOT NULL,
    "stressLevel" DOUBLE PRECISION NOT NULL,
    "curiosity" DOUBLE PRECISION NOT NULL,
    "socialBattery" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "EmotionalState_pkey" PRIMARY KEY ("personaId")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "currentPersonaId" TEXT,
    "snapshot" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActivityAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'user',
    "sessionId" TEXT,
    "userId" TEXT,
    "personaId" TEXT NOT NULL,
    "otherPersonaId" TEXT,
    "topic" TEXT,
    "tokenBudget" INTEGER,
    "tokensUsed" INTEGER NOT NULL DEFAULT 0,
    "continueScore" DOUBLE PRECISION NOT NULL DEFAULT 50,
    "turnCount" INTEGER NOT NULL DEFAULT 0,
    "durationSeconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "summary" TEXT NOT NULL DEFAULT '',
    "summarizedTurn" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'active',
    "endReason" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActivityAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "turnNumber" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "speakerId" TEXT,
    "content" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "processingTime" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "responseType" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Memory" (
    "id" TEXT NOT NULL,
    "personaId" TEXT NOT NULL,
    "userId" TEXT,
    "content" TEXT NOT NULL,
    "memoryType" TEXT NOT NULL DEFAULT 'user_input',
    "importance" DOUBLE PRECISION NOT NULL,
    "baseImportance" DOUBLE PRECISION NOT NULL,
    "emotionalValence" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "visibility" TEXT NOT NULL DEFAULT 'private',
    "relatedPersonas" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "accessCount" INTEGER NOT NULL DEFAULT 0,
    "lastAccessedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "embedding" BYTEA,
    "embeddingModel" TEXT,
    "indexedAt" TIMESTAMP(3),
    "prunedAt" TIMESTAMP(3),
    "pruneRunId" TEXT,

    CONSTRAINT "Memory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Relationship" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'persona',
    "persona1Id" TEXT NOT NULL,
    "persona2Id" TEXT NOT NULL,
    "affinity" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "trust" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "respect" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "intimacy" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "relationshipType" TEXT NOT NULL DEFAULT 'stranger',
    "interactionCount" INTEGER NOT NULL DEFAULT 0,
    "totalInteractionTime" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lastInteraction" TIMESTAMP(3),
    "firstMeeting" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sharedExperiences" JSONB NOT NULL,
    "memorableMoments" JSONB NOT NULL,
    "conflictHistory" JSONB NOT NULL,
    "recentInteractionQuality" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "compatibilityFactors" JSONB NOT NULL,

    CONSTRAINT "Relationship_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RelationshipEvent" (
    "id" TEXT NOT NULL,
    "relationshipId" TEXT NOT NULL,
    "quality" DOUBLE PRECISION NOT NULL,
    "durationMinutes" DOUBLE PRECISION NOT NULL,
    "context" TEXT NOT NULL,
    "deltas" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RelationshipEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PruneRun" (
    "id" TEXT NOT NULL,
    "personaId" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "memoriesBefore" INTEGER NOT NULL DEFAULT 0,
    "memoriesAfter" INTEGER NOT NULL DEFAULT 0,
    "memoriesPruned" INTEGER NOT NULL DEFAULT 0,
    "avgImportancePruned" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "avgImportanceKept" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "processingTime" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "restoredAt" TIMESTAMP(3),
    "purgedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PruneRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DecayRun" (
    "id" TEXT NOT NULL,
    "personaId" TEXT,
    "trigger" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL,
    "personasProcessed" INTEGER NOT NULL DEFAULT 0,
    "memoriesProcessed" INTEGER NOT NULL DEFAULT 0,
    "memoriesDecayed" INTEGER NOT NULL DEFAULT 0,
    "averageDecay" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "autoPrunes" INTEGER NOT NULL DEFAULT 0,
    "processingTime" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DecayRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Persona_nameKey_key" ON "Persona"("nameKey");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_lastActivityAt_idx" ON "Session"("lastActivityAt");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_sessionId_personaId_key" ON "Conversation"("sessionId", "personaId");

-- CreateIndex
CREATE INDEX "Conversation_userId_idx" ON "Conversation"("userId");

-- CreateIndex
CREATE INDEX "Conversation_personaId_idx" ON "Conversation"("personaId");

-- CreateIndex
CREATE INDEX "Conversation_otherPersonaId_idx" ON "Conversation"("otherPersonaId");

-- CreateIndex
CREATE INDEX "Message_conversationId_turnNumber_idx" ON "Message"("conversationId", "turnNumber");

-- CreateIndex
CREATE INDEX "Memory_personaId_prunedAt_idx" ON "Memory"("personaId", "prunedAt");

-- CreateIndex
CREATE INDEX "Memory_personaId_userId_idx" ON "Memory"("personaId", "userId");

-- CreateIndex
CREATE INDEX "Memory_pruneRunId_idx" ON "Memory"("pruneRunId");

-- CreateIndex
CREATE INDEX "Memory_indexedAt_idx" ON "Memory"("indexedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Relationship_kind_persona1Id_persona2Id_key" ON "Relationship"("kind", "persona1Id", "persona2Id");

-- CreateIndex
CREATE INDEX "Relationship_persona2Id_idx" ON "Relationship"("persona2Id");

-- CreateIndex
CREATE INDEX "RelationshipEvent_relationshipId_createdAt_idx" ON "RelationshipEvent"("relationshipId", "createdAt");

-- CreateIndex
CREATE INDEX "PruneRun_personaId_createdAt_idx" ON "PruneRun"("personaId", "createdAt");

-- CreateIndex
CREATE INDEX "DecayRun_createdAt_idx" ON "DecayRun"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_keyHash_key" ON "ApiKey"("keyHash");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- AddForeignKey
ALTER TABLE "EmotionalState" ADD CONSTRAINT "EmotionalState_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_currentPersonaId_fkey" FOREIGN KEY ("currentPersonaId") REFERENCES "Persona"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Memory" ADD CONSTRAINT "Memory_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Memory" ADD CONSTRAINT "Memory_pruneRunId_fkey" FOREIGN KEY ("pruneRunId") REFERENCES "PruneRun"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Relationship" ADD CONSTRAINT "Relationship_persona1Id_fkey" FOREIGN KEY ("persona1Id") REFERENCES "Persona"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RelationshipEvent" ADD CONSTRAINT "RelationshipEvent_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship"("id") ON DELETE CASCADE ON UPDATE CASCADE;
