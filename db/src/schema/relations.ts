import { relations } from "drizzle-orm";
import { apiTokens, memberships, organizations, users } from "./accounts.ts";
import { cloudWorkspaceSessions, cloudWorkspaces } from "./cloud-workspaces.ts";
import { repositories } from "./repositories.ts";

export const organizationsRelations = relations(organizations, ({ many }) => ({
  memberships: many(memberships),
  repositories: many(repositories),
  cloudWorkspaces: many(cloudWorkspaces),
}));

export const usersRelations = relations(users, ({ many }) => ({
  memberships: many(memberships),
  apiTokens: many(apiTokens),
}));

export const membershipsRelations = relations(memberships, ({ one }) => ({
  organization: one(organizations, { fields: [memberships.organizationId], references: [organizations.id] }),
  user: one(users, { fields: [memberships.userId], references: [users.id] }),
}));

export const apiTokensRelations = relations(apiTokens, ({ one }) => ({
  organization: one(organizations, { fields: [apiTokens.organizationId], references: [organizations.id] }),
  user: one(users, { fields: [apiTokens.userId], references: [users.id] }),
}));

export const repositoriesRelations = relations(repositories, ({ one, many }) => ({
  organization: one(organizations, { fields: [repositories.organizationId], references: [organizations.id] }),
  cloudWorkspaces: many(cloudWorkspaces),
}));

export const cloudWorkspacesRelations = relations(cloudWorkspaces, ({ one, many }) => ({
  organization: one(organizations, {
    fields: [cloudWorkspaces.organizationId],
    references: [organizations.id],
  }),
  repository: one(repositories, { fields: [cloudWorkspaces.repositoryId], references: [repositories.id] }),
  creator: one(users, { fields: [cloudWorkspaces.creatorId], references: [users.id] }),
  sessions: many(cloudWorkspaceSessions),
}));

export const cloudWorkspaceSessionsRelations = relations(cloudWorkspaceSessions, ({ one }) => ({
  workspace: one(cloudWorkspaces, {
    fields: [cloudWorkspaceSessions.workspaceId],
    references: [cloudWorkspaces.id],
  }),
  user: one(users, { fields: [cloudWorkspaceSessions.userId], references: [users.id] }),
}));
