/** @module The part of clipper-lib 6.4 (Angus Johnson's Clipper, JavaScript port; ships no types) that EW4E uses. */
declare module 'clipper-lib' {
  namespace ClipperLib {
    interface IntPoint {
      X: number;
      Y: number;
    }
    type Path = IntPoint[];
    type Paths = Path[];

    enum ClipType {
      ctIntersection = 0,
      ctUnion = 1,
      ctDifference = 2,
      ctXor = 3,
    }
    enum PolyType {
      ptSubject = 0,
      ptClip = 1,
    }
    enum PolyFillType {
      pftEvenOdd = 0,
      pftNonZero = 1,
      pftPositive = 2,
      pftNegative = 3,
    }

    class PolyNode {
      Contour(): Path;
      Childs(): PolyNode[];
      IsHole(): boolean;
      IsOpen: boolean;
    }
    class PolyTree extends PolyNode {
      Total(): number;
    }

    class Clipper {
      /** 1 ReverseSolution, 2 StrictlySimple, 4 PreserveCollinear. */
      constructor(initOptions?: number);
      StrictlySimple: boolean;
      AddPath(path: Path, polyType: PolyType, closed: boolean): boolean;
      AddPaths(paths: Paths, polyType: PolyType, closed: boolean): boolean;
      Execute(
        clipType: ClipType,
        solution: Paths | PolyTree,
        subjFill: PolyFillType,
        clipFill: PolyFillType,
      ): boolean;
      static Area(path: Path): number;
      static Orientation(path: Path): boolean;
    }
  }
  export default ClipperLib;
}
