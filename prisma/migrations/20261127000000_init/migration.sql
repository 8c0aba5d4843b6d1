-- CreateTable
CREATE TABLE "Persona" (
    "id" TEXT NOT NULL PRIMARY KEY,
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
    "interestLevel" INTEGER NOT NULL DEFAULT 50,
    "interactionFatigue" INTEGER NOT NULL DEFAULT 0,
    "currentPriority" TEXT NOT NULL DEFAULT 'none',
    "availableTime" INTEGER NOT NULL DEFAULT 300,
    "socialEnergy" INTEGER NOT NULL DEFAULT 100,
    "cooldownUntil" REAL NOT NULL DEFAULT 0,
    "stateUpdatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "EmotionalState" (
    "personaId" TEXT NOT NULL PRIMARY KEY,
    "mood" REAL NOT NULL,
    "energyLevel" REAL NOT NULL,
    "stressLevel" REAL NOT NULL,
    "curiosity" REAL NOT NULL,
    "socialBattery" REAL NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EmotionalState_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "currentPersonaId" TEXT,
    "snapshot" JSONB,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActivityAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Session_currentPersonaId_fkey" FOREIGN KEY ("currentPersonaId") REFERENCES "Persona" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Conversation" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'user',
    "sessionId" TEXT,
    "userId" TEXT,
    "personaId" TEXT NOT NULL,
    "otherPersonaId" TEXT,
    "topic" TEXT,
    "tokenBudget" INTEGER,
    "tokensUsed" INTEGER NOT NULL DEFAULT 0,
    "continueScore" REAL NOT NULL DEFAULT 50,
    "turnCount" INTEGER NOT NULL DEFAULT 0,
    "durationSeconds" REAL NOT NULL DEFAULT 0,
    "summary" TEXT NOT NULL DEFAULT '',
    "summarizedTurn" INTEGER NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'active',
    "endReason" TEXT,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActivityAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" DATETIME,
    CONSTRAINT "Conversation_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "turnNumber" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "speakerId" TEXT,
    "content" TEXT NOT NULL,
    "tokens" INTEGER NOT NULL DEFAULT 0,
    "processingTime" REAL NOT NULL DEFAULT 0,
    "responseType" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Message_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Memory" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "personaId" TEXT NOT NULL,
    "userId" TEXT,
    "content" TEXT NOT NULL,
    "memoryType" TEXT NOT NULL DEFAULT 'user_input',
    "importance" REAL NOT NULL,
    "baseImportance" REAL NOT NULL,
    "emotionalValence" REAL NOT NULL DEFAULT 0,
    "visibility" TEXT NOT NULL DEFAULT 'private',
    "relatedPersonas" JSONB NOT NULL,
    "metadata" JSONB NOT NULL,
    "accessCount" INTEGER NOT NULL DEFAULT 0,
    "lastAccessedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "embedding" BLOB,
    "embeddingModel" TEXT,
    "indexedAt" DATETIME,
    "prunedAt" DATETIME,
    "pruneRunId" TEXT,
    CONSTRAINT "Memory_personaId_fkey" FOREIGN KEY ("personaId") REFERENCES "Persona" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Memory_pruneRunId_fkey" FOREIGN KEY ("pruneRunId") REFERENCES "PruneRun" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Relationship" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL DEFAULT 'persona',
    "persona1Id" TEXT NOT NULL,
    "persona2Id" TEXT NOT NULL,
    "affinity" REAL NOT NULL DEFAULT 0,
    "trust" REAL NOT NULL DEFAULT 0,
    "respect" REAL NOT NULL DEFAULT 0,
    "intimacy" REAL NOT NULL DEFAULT 0,
    "relationshipType" TEXT NOT NULL DEFAULT 'stranger',
    "interactionCount" INTEGER NOT NULL DEFAULT 0,
    "totalInteractionTime" REAL NOT NULL DEFAULT 0,
    "lastInteraction" DATETIME,
    "firstMeeting" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sharedExperiences" JSONB NOT NULL,
    "memorableMoments" JSONB NOT NULL,
    "conflictHistory" JSONB NOT NULL,
    "recentInteractionQuality" REAL NOT NULL DEFAULT 0,
    "compatibilityFactors" JSONB NOT NULL,
    CONSTRAINT "Relationship_persona1Id_fkey" FOREIGN KEY ("persona1Id") REFERENCES "Persona" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RelationshipEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relationshipId" TEXT NOT NULL,
    "quality" REAL NOT NULL,
    "durationMinutes" REAL NOT NULL,
    "context" TEXT NOT NULL,
    "deltas" JSONB NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RelationshipEvent_relationshipId_fkey" FOREIGN KEY ("relationshipId") REFERENCES "Relationship" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PruneRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "personaId" TEXT,
    "trigger" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "memoriesBefore" INTEGER NOT NULL DEFAULT 0,
    "memoriesAfter" INTEGER NOT NULL DEFAULT 0,
    "memoriesPruned" INTEGER NOT NULL DEFAULT 0,
    "avgImportancePruned" REAL NOT NULL DEFAULT 0,
    "avgImportanceKept" REAL NOT NULL DEFAULT 0,
    "processingTime" REAL NOT NULL DEFAULT 0,
    "restoredAt" DATETIME,
    "purgedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DecayRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "personaId" TEXT,
    "trigger" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "rate" REAL NOT NULL,
    "personasProcessed" INTEGER NOT NULL DEFAULT 0,
    "memoriesProcessed" INTEGER NOT NULL DEFAULT 0,
    "memoriesDecayed" INTEGER NOT NULL DEFAULT 0,
    "averageDecay" REAL NOT NULL DEFAULT 0,
    "autoPrunes" INTEGER NOT NULL DEFAULT 0,
    "processingTime" REAL NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT '',
    "keyHash" TEXT NOT NULL,
    "keyPrefix" TEXT NOT NULL,
    "scope" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" JSONB NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Persona_nameKey_key" ON "Persona"("nameKey");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_lastActivityAt_idx" ON "Session"("lastActivityAt");

-- CreateIndex
CREATE INDEX "Conversation_userId_idx" ON "Conversation"("userId");

-- CreateIndex
CREATE INDEX "Conversation_personaId_idx" ON "Conversation"("personaId");

-- CreateIndex
CREATE INDEX "Conversation_otherPersonaId_idx" ON "Conversation"("otherPersonaId");

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_sessionId_personaId_key" ON "Conversation"("sessionId", "personaId");

-- CreateIndex
CREATE INDEX "Message_conversationId_turnNumber_idx" ON "Message"("conversationId", "turnNumber");

-- CreateIndex
CREATE INDEX "Memory_personaId_prunedAt_importance_idx" ON "Memory"("personaId", "prunedAt", "importance");

-- CreateIndex
CREATE INDEX "Memory_personaId_userId_idx" ON "Memory"("personaId", "userId");

-- CreateIndex
CREATE INDEX "Memory_pruneRunId_idx" ON "Memory"("pruneRunId");

-- CreateIndex
CREATE INDEX "Memory_indexedAt_idx" ON "Memory"("indexedAt");

-- CreateIndex
CREATE INDEX "Relationship_persona2Id_idx" ON "Relationship"("persona2Id");

-- CreateIndex
CREATE UNIQUE INDEX "Relationship_kind_persona1Id_persona2Id_key" ON "Relationship"("kind", "persona1Id", "persona2Id");

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
