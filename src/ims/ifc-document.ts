/**
 * The iFCs of a TS 29.228 Annex E document an operator hands over (`ims subscriber add --ifc
 * FILE.xml`): an InitialFilterCriteria or InitialFilterCriteriaList, or the ServiceProfile or
 * IMSSubscription another HSS exports, whose iFCs are taken. Parsing is left to the Annex E
 * parser (user-data-parser.ts); this only chooses how by the root element.
 */
import type { InitialFilterCriteria } from './ifc/model.ts';
import type { UserDataServiceProfile } from './user-data.ts';
import { UserDataError } from './user-data-error.ts';
import { parseInitialFilterCriteria, parseUserData } from './user-data-parser.ts';

const ROOTS = ['InitialFilterCriteria', 'InitialFilterCriteriaList', 'ServiceProfile', 'IMSSubscription'];

/**
 * The name of the root element: after a byte order mark, the XML declaration, processing
 * instructions and comments. Undefined when there is none to read (the parser says why).
 */
function rootName(xml: string): string | undefined {
  let rest = xml.replace(/^\uFEFF/, '');
  for (;;) {
    rest = rest.trimStart();
    const skip = /^(<\?[\s\S]*?\?>|<!--[\s\S]*?-->)/.exec(rest);
    if (skip === null) break;
    rest = rest.slice(skip[0].length);
  }
  return /^<([A-Za-z_][\w.:-]*)[\s/>]/.exec(rest)?.[1];
}

/** The one service profile of `profiles` whose iFCs are meant; refuses what would be lost. */
function onlyProfile(profiles: UserDataServiceProfile[], path: string): UserDataServiceProfile {
  if (profiles.length !== 1)
    throw new UserDataError(
      path,
      `holds ${profiles.length} ServiceProfile elements: keep the one whose iFCs to take`,
    );
  const profile = profiles[0]!;
  if (profile.sharedIfcSetIds.length > 0)
    throw new UserDataError(
      `${path}[0]/Extension`,
      'SharedIFCSetID: only the iFCs of a profile are taken; refer to shared iFC sets through the service profile of the REST API',
    );
  return profile;
}

/**
 * The iFCs of the document, in document order. Throws UserDataError naming the element at
 * fault (paths as the document spells them: `ServiceProfile/InitialFilterCriteria[1]/Priority`).
 */
export function parseIfcDocument(xml: string): InitialFilterCriteria[] {
  const root = typeof xml === 'string' ? rootName(xml) : undefined;
  if (root === 'IMSSubscription')
    return onlyProfile(parseUserData(xml).serviceProfiles, 'IMSSubscription/ServiceProfile')
      .initialFilterCriteria;
  if (root === 'ServiceProfile') {
    // Parsed as the one profile of a subscription; on the document's first line, so that
    // line numbers of XML errors stay those of the file.
    const wrapped = `<IMSSubscription><PrivateID>-</PrivateID>${withoutDeclaration(xml)}</IMSSubscription>`;
    try {
      return onlyProfile(parseUserData(wrapped).serviceProfiles, 'IMSSubscription/ServiceProfile')
        .initialFilterCriteria;
    } catch (err) {
      if (!(err instanceof UserDataError)) throw err;
      throw new UserDataError(
        err.path.replace(/^IMSSubscription\/ServiceProfile\[0\]/, 'ServiceProfile'),
        err.reason,
      );
    }
  }
  if (root !== undefined && !ROOTS.includes(root))
    throw new UserDataError(
      root,
      `the root element must be ${ROOTS.join(', ').replace(/, (?=[^,]*$)/, ' or ')}`,
    );
  return parseInitialFilterCriteria(xml);
}

/** The document without its XML declaration (which may only come first). */
function withoutDeclaration(xml: string): string {
  return xml.replace(/^\uFEFF?\s*<\?xml[\s\S]*?\?>/, '');
}
